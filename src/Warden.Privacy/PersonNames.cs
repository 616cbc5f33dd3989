namespace Warden.Privacy;

/// <summary>
/// The built-in name lists of the PERSON recognizer. They are deliberately short and avoid names that are also
/// everyday words ("May", "Will", "Grace", "Ruby", "Jordan", "Paris"), because a first name alone is weak evidence.
/// Pass your own lists in <see cref="PiiAnalyzerOptions.FirstNames"/> and <see cref="PiiAnalyzerOptions.LastNames"/>
/// (for example <c>PersonNames.DefaultFirstNames.Concat(mine).ToList()</c>).
/// </summary>
public static class PersonNames
{
    /// <summary>Common given names from English-speaking, European, South Asian, East Asian, Arabic and African usage.</summary>
    public static IReadOnlyList<string> DefaultFirstNames { get; } =
    [
        "James", "John", "Robert", "Michael", "William", "David", "Richard", "Joseph", "Thomas", "Charles",
        "Christopher", "Daniel", "Matthew", "Anthony", "Donald", "Steven", "Paul", "Andrew", "Joshua", "Kenneth",
        "Kevin", "Brian", "George", "Timothy", "Ronald", "Edward", "Jason", "Jeffrey", "Ryan", "Jacob",
        "Gary", "Nicholas", "Eric", "Jonathan", "Stephen", "Larry", "Justin", "Scott", "Brandon", "Benjamin",
        "Samuel", "Gregory", "Alexander", "Patrick", "Jack", "Dennis", "Jerry", "Tyler", "Aaron", "Henry",
        "Peter", "Oliver", "Harry", "Noah", "Liam", "Ethan", "Lucas", "Mason", "Logan", "Owen",
        "Oscar", "Arthur", "Alfie", "Freddie", "Theo", "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth",
        "Barbara", "Susan", "Jessica", "Sarah", "Karen", "Lisa", "Nancy", "Betty", "Margaret", "Sandra",
        "Ashley", "Kimberly", "Emily", "Donna", "Michelle", "Carol", "Amanda", "Dorothy", "Melissa", "Deborah",
        "Stephanie", "Rebecca", "Sharon", "Laura", "Cynthia", "Kathleen", "Amy", "Angela", "Shirley", "Anna",
        "Brenda", "Pamela", "Emma", "Nicole", "Helen", "Samantha", "Katherine", "Christine", "Rachel", "Carolyn",
        "Janet", "Catherine", "Maria", "Heather", "Diane", "Olivia", "Julie", "Joyce", "Kelly", "Christina",
        "Lauren", "Joan", "Evelyn", "Judith", "Megan", "Cheryl", "Andrea", "Hannah", "Jacqueline", "Martha",
        "Gloria", "Teresa", "Sara", "Frances", "Kathryn", "Janice", "Abigail", "Alice", "Judy", "Sophia",
        "Isabella", "Charlotte", "Amelia", "Ava", "Mia", "Chloe", "Ella", "Lily", "Sophie", "Freya",
        "Isla", "Mohammed", "Muhammad", "Ahmed", "Fatima", "Aisha", "Omar", "Hassan", "Yusuf", "Layla",
        "Priya", "Rahul", "Anil", "Sanjay", "Deepak", "Arjun", "Aditya", "Ananya", "Kavya", "Hiroshi",
        "Yuki", "Kenji", "Akira", "Haruto", "Mei", "Jose", "Juan", "Carlos", "Luis", "Miguel",
        "Javier", "Alejandro", "Sofia", "Lucia", "Camila", "Valentina", "Pierre", "Louis", "Camille", "Manon",
        "Hans", "Klaus", "Lukas", "Felix", "Maximilian", "Lena", "Katarina", "Olga", "Ivan", "Dmitri",
        "Sergei", "Natasha", "Anastasia", "Giuseppe", "Giovanni", "Marco", "Francesco", "Alessandro", "Giulia", "Chiara",
        "Francesca", "Kwame", "Chinedu", "Ngozi", "Amara", "Thabo", "Sipho", "Zanele", "Wei", "Xiaoming",
    ];

    /// <summary>Common family names from the same traditions.</summary>
    public static IReadOnlyList<string> DefaultLastNames { get; } =
    [
        "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
        "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Jackson", "Martin",
        "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
        "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
        "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts",
        "Evans", "Turner", "Phillips", "Parker", "Edwards", "Collins", "Stewart", "Morris", "Murphy", "Cook",
        "Rogers", "Morgan", "Cooper", "Peterson", "Reed", "Bailey", "Bell", "Kelly", "Howard", "Ward",
        "Cox", "Richardson", "Wood", "Watson", "Brooks", "Bennett", "Gray", "James", "Hughes", "Price",
        "Sanders", "Patel", "Singh", "Kumar", "Shah", "Khan", "Ahmed", "Hussain", "Chen", "Wang",
        "Zhang", "Liu", "Yang", "Huang", "Zhao", "Zhou", "Kim", "Park", "Choi", "Tanaka",
        "Suzuki", "Takahashi", "Watanabe", "Sato", "Yamamoto", "Müller", "Mueller", "Schmidt", "Schneider", "Fischer",
        "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Dubois", "Durand", "Lefebvre", "Moreau",
        "Laurent", "Bernard", "Petit", "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo",
        "Ivanov", "Petrov", "Smirnov", "Kowalski", "Nowak", "Okafor", "Okonkwo", "Mensah", "Dlamini", "Nkosi",
        "O'Brien", "O'Connor", "McDonald", "MacDonald", "Murray", "Fraser", "Davies", "Griffiths", "Jenkins", "Owens",
    ];
}
